export { appendRevocation, followRevocationFile } from "./file-revocations.js";
export {
  followRedisRevocations,
  publishRevocation,
  type RevocationCommands,
  type RevocationSubscriber,
} from "./redis-revocations.js";
export {
  createRevocationList,
  parseRevocation,
  type Revocation,
  type RevocationList,
} from "./revocation-list.js";
