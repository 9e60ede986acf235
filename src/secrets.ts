const MASK = "***";
/** Values shorter than this are not masked: masking "a" or "1" would garble every log line. */
const MIN_SECRET_LENGTH = 4;

/** The secrets of one run. Every text that leaves the process (logs, errors, summaries) passes through redact(). */
export class SecretSet {
  readonly #values = new Set<string>();

  add(value: string | undefined): void {
    if (!value || value.length < MIN_SECRET_LENGTH) return;
    this.#values.add(value);
    const trimmed = value.trim();
    if (trimmed !== value && trimmed.length >= MIN_SECRET_LENGTH) this.#values.add(trimmed);
  }

  get size(): number {
    return this.#values.size;
  }

  values(): string[] {
    return [...this.#values];
  }

  redact(text: string): string {
    if (this.#values.size === 0 || text.length === 0) return text;
    let out = text;
    // Longest first, so a secret that contains another is masked whole.
    for (const value of [...this.#values].sort((a, b) => b.length - a.length)) {
      out = out.split(value).join(MASK);
    }
    return out;
  }
}
