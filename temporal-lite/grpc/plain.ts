// The TypeScript shape of Temporal's messages as temporal-lite holds them. @temporalio/proto
// declares each message's interface (IHistoryEvent, IStartWorkflowExecutionRequest, …) for its
// own runtime, which keeps int64 as Long and enums as numbers; temporal-lite decodes with
// TO_OBJECT (proto.ts) instead, which gives int64 as numbers, enums by name and bytes as Buffers,
// and leaves unset fields out (never null). Plain<I> is interface I with exactly those
// differences; fromObject accepts it back.
import type { google, grpc, temporal } from '@temporalio/proto';
import type Long from 'long';

/** The enums temporal-lite's messages use: Temporal's (all in one namespace) and gRPC health's. */
type EnumObject = (typeof temporal.api.enums.v1)[keyof typeof temporal.api.enums.v1] | typeof grpc.health.v1.HealthCheckResponse.ServingStatus;

/** The member names of enum E (enums are decoded by name). */
export type EnumName<E> = EnumObject extends infer O ? (O extends unknown ? ([E] extends [O[keyof O]] ? keyof O : never) : never) : never;

// Numeric enums accept any number, so `number extends E` holds for them too: an enum is told from
// `number` by type identity.
type IsNumber<T> = (<G>() => G extends T ? 1 : 2) extends <G>() => G extends number ? 1 : 2 ? true : false;

export type Plain<T> = T extends Long
  ? number
  : T extends Uint8Array
    ? Buffer
    : T extends number
      ? IsNumber<T> extends true
        ? number
        : EnumName<T>
      : T extends string | boolean | null | undefined
        ? T
        : T extends ReadonlyArray<infer Element>
          ? Array<Plain<Element>>
          : { [K in keyof T]: Plain<Exclude<T[K], null>> };

/** The namespaces of @temporalio/proto, for looking a message up by its full name. */
interface ProtoRoot {
  temporal: typeof temporal;
  google: typeof google;
  grpc: typeof grpc;
}

type Lookup<Node, Path extends string> = Path extends `${infer Head}.${infer Rest}`
  ? Head extends keyof Node
    ? Lookup<Node[Head], Rest>
    : never
  : Path extends keyof Node
    ? Node[Path]
    : never;

/** The properties interface of the message with full name N ('temporal.api.history.v1.HistoryEvent'). */
export type MessageOf<N extends string> = Lookup<ProtoRoot, N> extends { encode(message: infer Properties): unknown } ? Properties : never;

/** The plain shape of the message with full name N. */
export type PlainMessage<N extends string> = Plain<MessageOf<N>>;
