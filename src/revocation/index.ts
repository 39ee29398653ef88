export { appendRevocation, followRevocationFile } from "./file-revocations.js";
export { followRedisRevocations, publishRevocation } from "./redis-revocations.js";
export { createRevocationList, type Revocation } from "./revocation-list.js";
