type NumberArray = Int32Array | Float64Array;

/** An append-only typed array: compact while building, transferable to and from a Web Worker when done. */
class Growable<T extends NumberArray> {
  private data: T;
  length = 0;

  constructor(
    private readonly allocate: (size: number) => T,
    capacity = 1024
  ) {
    this.data = allocate(capacity);
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = this.allocate(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  add(index: number, value: number): void {
    this.data[index] += value;
  }

  get(index: number): number {
    return this.data[index];
  }

  toArray(): T {
    return this.data.slice(0, this.length) as T;
  }
}

export class GrowableInt32 extends Growable<Int32Array> {
  constructor(capacity?: number) {
    super((size) => new Int32Array(size), capacity);
  }
}

export class GrowableFloat64 extends Growable<Float64Array> {
  constructor(capacity?: number) {
    super((size) => new Float64Array(size), capacity);
  }
}
