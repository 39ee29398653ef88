export { type Authorizer, type AuthorizerOptions, createAuthorizer } from "./authorizer.js";
export {
  type CheckResponse,
  DecisionShapeError,
  decisionToResponse,
  RpcCode,
} from "./check-response.js";
export type {
  AuthzDeps,
  CheckOutcome,
  Clock,
  DecisionPolicy,
  DecisionRecord,
  Identity,
  IdentityOutcome,
} from "./types.js";
