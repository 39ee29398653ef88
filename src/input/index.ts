export {
  type BuiltInput,
  createInputBuilder,
  type InputDocument,
  type InputOptions,
  toInput,
} from "./input-document.js";
export {
  type JsonLimits,
  type JsonValue,
  parseJson,
  stringifyJson,
  UNBOUNDED_JSON,
} from "./json-value.js";
export { jsonName } from "./proto-document.js";
export { parseBody } from "./request-body.js";
export { parsePathAndQuery, parseQuery } from "./request-path.js";
export { structToJson, toStruct } from "./struct.js";
