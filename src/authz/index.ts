export { type Authorizer, type AuthorizerOptions, createAuthorizer } from "./authorizer.js";
export {
  type CheckResponse,
  DecisionShapeError,
  decisionToResponse,
  RpcCode,
} from "./check-response.js";
export type {
  AuthzSteps,
  BuiltInput,
  CheckOutcome,
  Clock,
  DecisionPolicy,
  DecisionRecord,
  DecisionSink,
  Identity,
  IdentityOutcome,
  PolicyInput,
} from "./types.js";
