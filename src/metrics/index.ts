export { aggregateWorkerMetrics, type ClusterScrape, workerScrape } from "./cluster.js";
export {
  type AuthzMetrics,
  type BuildInfo,
  createMetrics,
} from "./sidecar-metrics.js";
