/** Memoizes async work by key: the first caller starts it, later callers share the same promise. */
export class Memo {
  private readonly promises = new Map<string, Promise<unknown>>();

  once<T>(key: string, fn: () => Promise<T>): Promise<T> {
    let p = this.promises.get(key) as Promise<T> | undefined;
    if (!p) {
      p = fn();
      this.promises.set(key, p);
    }
    return p;
  }
}
