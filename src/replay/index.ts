export { type Change, type LoggedDecision, type ReplayReport, replay } from "./replay.js";
