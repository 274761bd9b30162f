// Types for the part of fs-native-extensions (OS file locks, prebuilt) this package uses.
declare module "fs-native-extensions" {
  /** An exclusive lock on the whole file; false when another open file holds one. */
  export function tryLock(fd: number): boolean;
  export function unlock(fd: number): void;
}
