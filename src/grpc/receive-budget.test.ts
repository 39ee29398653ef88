import { describe, expect, it } from "vitest";
import { createReceiveBudget } from "./receive-budget.js";

describe("createReceiveBudget", () => {
  it("keeps every ticket while the total fits and frees bytes on leave", () => {
    const budget = createReceiveBudget(100);
    const evicted: string[] = [];
    const a = budget.enter(() => evicted.push("a"));
    const b = budget.enter(() => evicted.push("b"));
    a.charge(60);
    b.charge(40);
    expect(evicted).toEqual([]);
    expect(budget.used).toBe(100);
    a.leave();
    expect(budget.used).toBe(40);
    expect(budget.open).toBe(1);
  });

  it("evicts the longest-receiving tickets until the total fits again", () => {
    const budget = createReceiveBudget(100);
    const evicted: string[] = [];
    const old1 = budget.enter(() => evicted.push("old1"));
    const old2 = budget.enter(() => evicted.push("old2"));
    const young = budget.enter(() => evicted.push("young"));
    old1.charge(40);
    old2.charge(40);
    young.charge(50);
    // 130 > 100: old1 goes (90 left), which is enough; old2 and the newcomer stay.
    expect(evicted).toEqual(["old1"]);
    expect(budget.used).toBe(90);
    expect(budget.open).toBe(2);
  });

  it("evicts the charging ticket itself when it is the oldest", () => {
    const budget = createReceiveBudget(100);
    const evicted: string[] = [];
    const big = budget.enter(() => evicted.push("big"));
    const small = budget.enter(() => evicted.push("small"));
    small.charge(10);
    big.charge(95);
    expect(evicted).toEqual(["big"]);
    expect(budget.used).toBe(10);
  });

  it("passes over tickets that hold nothing", () => {
    const budget = createReceiveBudget(100);
    const evicted: string[] = [];
    budget.enter(() => evicted.push("idle"));
    const busy = budget.enter(() => evicted.push("busy"));
    const young = budget.enter(() => evicted.push("young"));
    busy.charge(80);
    young.charge(30);
    expect(evicted).toEqual(["busy"]);
    expect(budget.open).toBe(2);
  });

  it("ignores charges after leave or eviction and evicts a ticket once", () => {
    const budget = createReceiveBudget(10);
    let evictions = 0;
    const ticket = budget.enter(() => evictions++);
    ticket.charge(11);
    ticket.charge(11);
    ticket.leave();
    expect(evictions).toBe(1);
    expect(budget.used).toBe(0);
    expect(budget.open).toBe(0);
  });

  it("reset returns a ticket's bytes without closing it", () => {
    const budget = createReceiveBudget(100);
    const ticket = budget.enter(() => {});
    ticket.charge(70);
    ticket.reset();
    expect(budget.used).toBe(0);
    ticket.charge(30);
    expect(budget.used).toBe(30);
    expect(budget.open).toBe(1);
  });
});
