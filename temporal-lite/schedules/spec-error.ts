/** A schedule spec Temporal would refuse (the RPC answers INVALID_ARGUMENT "Invalid schedule spec: …"). */
export class SpecError extends Error {}
