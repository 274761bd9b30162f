/**
 * Hooks on the requests a test broker serves, in the spirit of franz-go's kfake
 * ControlKey: a control sees each request of its API before the handler and may answer
 * it with an error code or a response of its own, hold it back, or drop the connection.
 * Controls wrap the broker's handlers through its registry, so a broker started without
 * this package runs no extra code per request.
 */
import {
  CloseConnection,
  type Handler,
  type HandlerRegistry,
  type RequestContext,
} from "@logbook/broker";
import { type ApiCodec, ProduceApi, type ProduceRequest } from "@logbook/protocol";
import { type ApiRef, resolveApi } from "./api-ref.js";

/** A request as a control sees it. */
export interface ControlledRequest {
  readonly apiKey: number;
  readonly apiName: string;
  readonly version: number;
  /** The decoded request body (the protocol package's type for that API). */
  readonly body: unknown;
  readonly clientId: string | null;
}

/** What a control does with a request it takes. */
export type ControlAction =
  /** The API's error response with this code in every error field, per requested item. */
  | { readonly errorCode: number }
  /** This response body, as is (build it with the protocol package's create* functions). */
  | { readonly response: unknown }
  /** Serve the request normally after this many milliseconds. */
  | { readonly delayMs: number }
  /** Close the connection without answering. */
  | { readonly drop: true };

/** Returns an action to take the request, or undefined to let it through untouched. */
export type ControlFn = (
  request: ControlledRequest,
) => ControlAction | undefined | Promise<ControlAction | undefined>;

export interface ControlOptions {
  /** How many requests the control takes before it removes itself (default 1; Infinity keeps it). */
  readonly times?: number;
}

/** A registered control: how often it acted, and a way to remove it early. */
export interface Control {
  readonly taken: number;
  remove(): void;
}

interface Registered {
  readonly apiKey: number;
  readonly fn: ControlFn;
  left: number;
  taken: number;
}

export class RequestControls {
  private controls: Registered[] = [];
  private readonly seenByKey = new Map<number, number>();

  /** Wraps every handler of `registry` so that controls see its requests first. */
  attach(registry: HandlerRegistry): void {
    for (const real of registry.list()) registry.override(this.wrap(real));
  }

  add(api: ApiRef, fn: ControlFn, options: ControlOptions = {}): Control {
    const times = options.times ?? 1;
    if (!(times > 0)) throw new Error(`times must be positive, got ${times}`);
    const entry: Registered = { apiKey: resolveApi(api).apiKey, fn, left: times, taken: 0 };
    this.controls.push(entry);
    return {
      get taken() {
        return entry.taken;
      },
      remove: () => this.removeEntry(entry),
    };
  }

  clear(): void {
    this.controls = [];
  }

  /** How many requests of an API the broker has received (controlled or not). */
  seen(api: ApiRef): number {
    return this.seenByKey.get(resolveApi(api).apiKey) ?? 0;
  }

  private removeEntry(entry: Registered): void {
    this.controls = this.controls.filter((c) => c !== entry);
  }

  private wrap(real: Handler): Handler {
    const api = real.api;
    return {
      ...real,
      handle: async (request: unknown, ctx: RequestContext) => {
        this.seenByKey.set(api.apiKey, (this.seenByKey.get(api.apiKey) ?? 0) + 1);
        const action = await this.actionFor(api, request, ctx);
        if (action === undefined) return real.handle(request, ctx);
        if ("delayMs" in action) {
          await new Promise((resolve) => setTimeout(resolve, action.delayMs));
          return real.handle(request, ctx);
        }
        if ("drop" in action) throw new CloseConnection(`${api.name}: dropped by a test control`);
        if ("response" in action) return action.response;
        // An acks=0 Produce has no answer to carry an error; Kafka closes the connection.
        if (api.apiKey === ProduceApi.apiKey && (request as ProduceRequest).acks === 0)
          throw new CloseConnection(`${api.name}: failed by a test control (acks=0)`);
        return api.errorResponse(request, action.errorCode);
      },
    };
  }

  /** The first control of this API that takes the request, in the order they were added. */
  private async actionFor(
    api: ApiCodec<unknown, unknown>,
    body: unknown,
    ctx: RequestContext,
  ): Promise<ControlAction | undefined> {
    for (const entry of this.controls) {
      if (entry.apiKey !== api.apiKey) continue;
      const action = await entry.fn({
        apiKey: api.apiKey,
        apiName: api.name,
        version: ctx.version,
        body,
        clientId: ctx.header.clientId,
      });
      if (action === undefined) continue;
      entry.taken++;
      if (--entry.left <= 0) this.removeEntry(entry);
      return action;
    }
    return undefined;
  }
}
