import type { Logger } from "./logger.js";

/**
 * The onAppend subscribers of one log: each subscription is its own entry (the same
 * function registered twice is called twice), and one that throws is logged without
 * keeping the others from running.
 */
export class AppendListeners {
  private readonly entries = new Set<() => void>();

  constructor(private readonly logger: Logger) {}

  add(listener: () => void): () => void {
    const entry = () => listener();
    this.entries.add(entry);
    return () => this.entries.delete(entry);
  }

  notify(): void {
    for (const listener of this.entries) {
      try {
        listener();
      } catch (err) {
        this.logger.warn("onAppend listener threw", undefined, err);
      }
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
