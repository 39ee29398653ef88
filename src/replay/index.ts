export { type LoggedDecision, type ReplayReport, replay } from "./replay.js";
