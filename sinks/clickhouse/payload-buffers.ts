/**
 * Insert payloads written into reused buffers. A raw insert's payload is megabytes, and a fresh
 * buffer that size is memory the kernel has to map and zero page by page on first touch: that
 * costs more than copying the payload into it (6 MB: ~17 ms fresh against ~1 ms reused, here).
 * At most `maxIdle` buffers wait between inserts, none larger than `maxIdleBytes`; one given
 * back past either bound is left to the garbage collector (nothing is lost: it held no data).
 */
export class PayloadBuffers {
  private readonly idle: Buffer[] = [];

  constructor(
    private readonly maxIdle = 2,
    private readonly maxIdleBytes = 64 * 2 ** 20,
  ) {}

  /**
   * `parts` (strings as UTF-8) joined in one buffer: `payload` is the view to insert, `buffer` the
   * pooled buffer under it, to `give` back once the insert is done.
   */
  write(parts: ReadonlyArray<string | Uint8Array>): { payload: Buffer; buffer: Buffer } {
    let bytes = 0;
    for (const part of parts) bytes += typeof part === 'string' ? Buffer.byteLength(part) : part.byteLength;
    const buffer = this.take(bytes);
    let offset = 0;
    for (const part of parts) {
      if (typeof part === 'string') offset += buffer.write(part, offset);
      else {
        buffer.set(part, offset);
        offset += part.byteLength;
      }
    }
    return { payload: buffer.subarray(0, offset), buffer };
  }

  give(buffer: Buffer): void {
    if (this.idle.length < this.maxIdle && buffer.length <= this.maxIdleBytes) this.idle.push(buffer);
  }

  /** How many buffers wait for the next insert. */
  get idleCount(): number {
    return this.idle.length;
  }

  private take(bytes: number): Buffer {
    const fits = this.idle.findIndex((b) => b.length >= bytes);
    if (fits >= 0) return this.idle.splice(fits, 1)[0]!;
    // None fits: the smallest idle one makes way (the payloads grow to a steady size).
    if (this.idle.length > 0) this.idle.sort((a, b) => a.length - b.length).shift();
    return Buffer.allocUnsafeSlow(Math.max(bytes + (bytes >> 2), 64 * 1024));
  }
}
