export { ClusterView, type LiveSet, type SelfNode } from "./cluster-view.js";
export { coordinatorOf } from "./coordinators.js";
export { followLeadership } from "./leadership-moves.js";
export { rendezvousOwner } from "./rendezvous.js";
