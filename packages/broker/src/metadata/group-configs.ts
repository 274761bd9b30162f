/**
 * Per-group configs (ConfigResource GROUP): the overrides kept in the metadata log, and
 * what the group coordinators read, `of(groupId)`: every group config typed, with the
 * broker's defaults where a group has no override. As in Kafka a group need not exist
 * to be configured, and deleting a group keeps its configs.
 */
import { ErrorCode } from "@logbook/protocol";
import type { BrokerConfig } from "../config/broker-config.js";
import {
  GROUP_CONFIG_DEFS,
  type GroupConfigValues,
  groupConfigValues,
} from "../config/group-config-defs.js";
import type { AdminResult } from "../topics.js";
import type { ConfigCheck } from "./topic-config.js";

/** Where the overrides are kept (the metadata log, through the topic registry's shard). */
export interface GroupConfigStore {
  groupOverrides(groupId: string): ReadonlyMap<string, string> | undefined;
  /** Groups that have at least one override. */
  groupsWithOverrides(): string[];
  /** Replaces a group's overrides (none at all removes them); resolves once durable. */
  setGroupOverrides(groupId: string, overrides: ReadonlyMap<string, string>): Promise<void>;
}

export type AdminFailure = Extract<AdminResult, { ok: false }>;

export type GroupConfigListener = (groupId: string, values: GroupConfigValues) => void;

const NONE: ReadonlyMap<string, string> = new Map();

/** Checks names, then values, of a group's overrides, as Kafka: the first problem is reported. */
export function checkGroupConfigs(
  config: BrokerConfig,
  overrides: ReadonlyMap<string, string>,
): ConfigCheck {
  const bad = (message: string): ConfigCheck => ({
    ok: false,
    errorCode: ErrorCode.INVALID_CONFIG,
    message,
  });
  for (const name of overrides.keys()) {
    if (!GROUP_CONFIG_DEFS.has(name)) return bad(`Unknown group config name: ${name}`);
  }
  for (const [name, value] of overrides) {
    const problem = GROUP_CONFIG_DEFS.get(name)?.check(value, config) ?? null;
    if (problem !== null) return bad(problem);
  }
  return { ok: true };
}

export class GroupConfigs {
  private readonly listeners = new Set<GroupConfigListener>();
  /** Typed values by group, valid while the group's overrides are the same object. */
  private readonly cache = new Map<
    string,
    { overrides: ReadonlyMap<string, string>; values: GroupConfigValues }
  >();
  private readonly defaults: GroupConfigValues;
  /** The last queued change: changes run one after another. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly config: BrokerConfig,
    private readonly store: GroupConfigStore,
  ) {
    this.defaults = groupConfigValues(config, NONE);
  }

  /** The group's overrides only (what DescribeConfigs reports as the group's own). */
  overrides(groupId: string): ReadonlyMap<string, string> {
    return this.store.groupOverrides(groupId) ?? NONE;
  }

  /** Groups that have at least one override, sorted. */
  configured(): string[] {
    return this.store.groupsWithOverrides().sort();
  }

  /** Every config of the group, typed, the broker's defaults filling the gaps. */
  of(groupId: string): GroupConfigValues {
    const overrides = this.store.groupOverrides(groupId);
    if (overrides === undefined) return this.defaults;
    const hit = this.cache.get(groupId);
    if (hit !== undefined && hit.overrides === overrides) return hit.values;
    const values = groupConfigValues(this.config, overrides);
    this.cache.set(groupId, { overrides, values });
    return values;
  }

  /** Called after a group's configs changed (with its new values); returns the unsubscribe. */
  onChange(listener: GroupConfigListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Replaces a group's overrides after checking them; `validateOnly` only checks. */
  set(
    groupId: string,
    overrides: ReadonlyMap<string, string>,
    validateOnly: boolean,
  ): Promise<AdminResult> {
    return this.update(groupId, () => overrides, validateOnly);
  }

  /**
   * Changes a group's overrides: `change` gets the current ones and returns the new ones
   * (or a refusal), which are checked and stored. Changes run one at a time, so two
   * requests that each add a config to one group cannot lose either.
   */
  update(
    groupId: string,
    change: (current: ReadonlyMap<string, string>) => ReadonlyMap<string, string> | AdminFailure,
    validateOnly: boolean,
  ): Promise<AdminResult> {
    const run = this.tail.then(async (): Promise<AdminResult> => {
      const next = change(this.overrides(groupId));
      if ("ok" in next) return next;
      const checked = checkGroupConfigs(this.config, next);
      if (!checked.ok || validateOnly) return checked;
      await this.store.setGroupOverrides(groupId, next);
      this.cache.delete(groupId);
      const values = this.of(groupId);
      for (const l of this.listeners) l(groupId, values);
      return { ok: true };
    });
    // A failed write must not stop the changes queued after it.
    this.tail = run.catch(() => undefined);
    return run;
  }
}
