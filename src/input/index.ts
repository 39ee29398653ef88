export { type BuiltInput, createInputBuilder, type InputDocument } from "./input-document.js";
export { parseJson, stringifyJson } from "./json-value.js";
export { jsonName } from "./proto-document.js";
export { parseQuery } from "./request-path.js";
export { structToJson, toStruct } from "./struct.js";
