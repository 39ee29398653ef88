export { type InputDocument, type InputOptions, toInput } from "./input-document.js";
export { type JsonValue, parseJson, stringifyJson } from "./json-value.js";
export { jsonName } from "./proto-document.js";
export { parseBody } from "./request-body.js";
export { parsePathAndQuery, parseQuery } from "./request-path.js";
