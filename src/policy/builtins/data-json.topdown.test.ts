/**
 * object.subset, json.marshal_with_options, json.patch and graph.reachable_paths against topdown:
 * the branches of ast.Compare and Go's JSON (data-value.ts), of subset.go (data-json.ts), of
 * edittree (data-patch.ts) and of reachable.go (data-misc.ts) they drive.
 */
import { type Call, itMatchesTopdown } from "../../../test/support/topdown.js";

const subset = (sup: unknown, sub: unknown): Call => ["object.subset", [sup, sub]];
const marshal = (value: unknown, options: unknown): Call => [
  "json.marshal_with_options",
  [value, options],
];
const patch = (doc: unknown, ...ops: unknown[]): Call => ["json.patch", [doc, ops]];
const paths = (graph: unknown, initial: unknown): Call => [
  "graph.reachable_paths",
  [graph, initial],
];

const CASES: Array<[what: string, call: Call]> = [
  // json.marshal_with_options: options, and Go's string escapes (goString).
  ["keys in byte order, a prefix key first", marshal({ ab: 1, a: 2, b: [] }, {})],
  [
    "every escape Go writes",
    marshal('q"b\\r\rt\tb\bf\fn\n<>&\u2028\u2029\u0001é😀', { pretty: true }),
  ],
  ["a lone high surrogate is U+FFFD", marshal("\ud800x", {})],
  ["a lone low surrogate is U+FFFD", marshal("\udc00", {})],
  ["prefix and indent", marshal({ a: [1, { b: null }], c: {} }, { prefix: ">", indent: "  " })],
  ["pretty false wins over an indent", marshal({ a: [1] }, { indent: "  ", pretty: false })],
  ["pretty alone indents with a tab", marshal({ a: [1] }, { pretty: true })],
  ["a prefix not a string", marshal({ a: [1] }, { prefix: 1 })],
  ["an indent not a string", marshal({ a: [1] }, { indent: true })],
  ["pretty not a boolean", marshal({ a: [1] }, { pretty: "yes" })],
  ["an unknown option", marshal({ a: [1] }, { bogus: 1 })],
  ["options not an object", marshal({ a: [1] }, "x")],
  ["keys in code point order", marshal({ é: 1, z: 2, "😀": 3, "\uffff": 4 }, {})],
  // object.subset (objectSubset, arraySubset, and compareValues under equalValues).
  ["a key missing", subset({ a: 1 }, { b: 1 })],
  ["a number differs", subset({ a: 1 }, { a: 2 })],
  ["null equals null", subset({ a: null }, { a: null })],
  ["null is not true", subset({ a: null }, { a: true })],
  ["true is not false", subset({ a: true }, { a: false })],
  ["false equals false", subset({ a: false }, { a: false })],
  ["a nested object subset", subset({ a: { x: 1, y: 2 } }, { a: { x: 1 } })],
  ["nested objects with other keys", subset({ a: { x: 1 } }, { a: { y: 1 } })],
  ["a nested array run", subset({ a: [1, 2, 3] }, { a: [2, 3] })],
  ["a nested array in an array run", subset({ a: [1, [2]] }, { a: [[2]] })],
  ["array elements compare whole", subset({ a: [1, { x: 1 }] }, { a: [{ x: 1, y: 1 }] })],
  ["a nested array too long", subset({ a: [1] }, { a: [1, 2] })],
  ["an array too long", subset([1], [1, 2])],
  ["the empty array", subset([1, 2, 3], [])],
  ["objects in an array", subset([{ a: 1 }, { b: 2 }], [{ b: 2 }])],
  ["an object element with more keys", subset([{ a: 1 }, { a: 2, b: 1 }], [{ a: 2 }])],
  ["an array and an object", subset([1], { a: 1 })],
  ["an object and an array", subset({ a: 1 }, [1])],
  ["two strings", subset("a", "a")],
  ["strings differ", subset({ a: "b" }, { a: "c" })],
  ["a string prefix", subset({ a: "abc" }, { a: "ab" })],
  ["strings by code point", subset({ a: "é" }, { a: "😀" })],
  ["a longer nested array", subset({ a: [1, 2] }, { a: [1, 2, 3] })],
  ["mixed types in a run", subset({ a: [1, "x"] }, { a: ["x"] })],
  ["a nested object missing a key", subset({ a: { x: { y: 1 } } }, { a: { x: { y: 1, z: 2 } } })],
  [
    "objects whose keys differ after the first",
    subset({ a: { x: 1, w: 1 } }, { a: { w: 1, z: 2 } }),
  ],
  // json.patch: paths (parsePath, toIndex, toKey), nodes (nodeAt), operations (apply).
  ["a path neither string nor array", patch({ a: [1] }, { op: "add", path: 5, value: 1 })],
  ["a fractional index", patch({ a: [1] }, { op: "add", path: ["a", 1.5], value: 1 })],
  ["a number index", patch({ a: [1] }, { op: "add", path: ["a", 1], value: 2 })],
  ["a number is no key of an object (remove)", patch({ a: 1 }, { op: "remove", path: [1] })],
  ["a boolean index", patch({ a: [1] }, { op: "add", path: ["a", true], value: 1 })],
  ["an index that is no number", patch({ a: [1] }, { op: "add", path: "/a/x", value: 1 })],
  ["an index with a leading zero", patch({ a: [1] }, { op: "add", path: "/a/01", value: 1 })],
  [
    "an index of 20 digits",
    patch({ a: [1] }, { op: "add", path: "/a/99999999999999999999", value: 1 }),
  ],
  ["a negative index", patch({ a: [1] }, { op: "add", path: "/a/-1", value: 0 })],
  [
    "a path into a removed root",
    patch({ a: [1] }, { op: "remove", path: "" }, { op: "add", path: "/a", value: 1 }),
  ],
  [
    "through an array element",
    patch({ a: [{ b: 1 }] }, { op: "replace", path: "/a/0/b", value: 2 }),
  ],
  [
    "through a missing array element",
    patch({ a: [{ b: 1 }] }, { op: "add", path: "/a/5/b", value: 2 }),
  ],
  ["through a scalar", patch({ a: 1 }, { op: "add", path: "/a/b/c", value: 2 })],
  ["adding into a scalar", patch({ a: 1 }, { op: "add", path: "/a/b", value: 2 })],
  [
    "removing the root twice",
    patch({ a: 1 }, { op: "remove", path: "" }, { op: "remove", path: "" }),
  ],
  ["removing past an array's end", patch({ a: [1] }, { op: "remove", path: "/a/5" })],
  ["removing '-'", patch({ a: [1] }, { op: "remove", path: "/a/-" })],
  ["removing a missing key", patch({ a: [1] }, { op: "remove", path: "/b" })],
  ["removing from a scalar", patch({ a: 1 }, { op: "remove", path: "/a/b" })],
  ["op not a string", patch({ a: 1 }, { op: 1, path: "/a" })],
  ["an unknown op", patch({ a: 1 }, { op: "frob", path: "/a" })],
  ["no op", patch({ a: 1 }, { path: "/a" })],
  ["no path", patch({ a: 1 }, { op: "add", value: 1 })],
  ["add without a value", patch({ a: 1 }, { op: "add", path: "/b" })],
  ["move without from", patch({ a: 1 }, { op: "move", path: "/b" })],
  ["operations not an array", ["json.patch", [{ a: 1 }, { op: "add", path: "/b", value: 1 }]]],
  ["an operation not an object", ["json.patch", [{ a: 1 }, [1]]]],
  ["no operations", patch({ a: 1 })],
  [
    "~0 and ~1, leading slashes",
    patch({ a: { "~/": 1 } }, { op: "copy", from: "/a/~0~1", path: "//b" }),
  ],
  ["test: 1 equals 1.0", patch({ a: 1 }, { op: "test", path: "/a", value: 1.0 })],
  ["a scalar document", patch(5, { op: "add", path: "/a", value: 1 })],
  ["move to the end", patch({ a: [1, 2] }, { op: "move", from: "/a/0", path: "/a/-" })],
  [
    "add at the end, then past it",
    patch(
      { a: [1, 2] },
      { op: "add", path: "/a/2", value: 3 },
      { op: "add", path: "/a/4", value: 3 },
    ),
  ],
  // graph.reachable_paths (edgesOf, the walk).
  ["a cycle is cut", paths({ a: ["b"], b: ["a"] }, ["a"])],
  ["edges that are no collection, and none", paths({ a: ["b", "c"], b: "x", c: [] }, ["a"])],
  ["a root not in the graph", paths({ a: ["b"], b: [] }, ["a", "z"])],
  ["a root without edges", paths({ a: [] }, ["a"])],
  ["a neighbour not in the graph", paths({ a: ["b"] }, ["a"])],
  ["roots not a collection", paths({ a: ["b"] }, "a")],
  ["roots an object", paths({ a: ["b"] }, { a: 1 })],
  ["a number is no key", paths({ "1": ["2"], "2": [] }, [1])],
  ["nor is an inherited property", paths({ a: ["constructor"] }, ["a"])],
  ["… as a root", paths({ a: ["b"] }, ["toString"])],
  ["a number neighbour ends the path", paths({ a: [1, "b"], b: [] }, ["a"])],
  ["a number is not the string reached", paths({ "1": ["a", 1], a: ["1"] }, ["1"])],
  ["an object neighbour", paths({ a: [{ x: 1 }] }, ["a"])],
  ["a self-loop and a longer cycle", paths({ a: ["b", "a"], b: ["c"], c: ["a", "b"] }, ["a"])],
  ["null edges", paths({ a: null }, ["a"])],
  ["object edges", paths({ a: { b: 1 } }, ["a"])],
  ["two roots", paths({ a: ["b"], b: ["a"] }, ["b", "a"])],
  ["graph not an object", paths("x", ["a"])],
];

itMatchesTopdown(CASES);
