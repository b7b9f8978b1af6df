/**
 * One change to kafkajs's own code (`patches.ts` lists them and installs them at start). Importing
 * a patch changes nothing: `check` says whether kafkajs's code is still the code the patch was
 * written for, `install` replaces it, `verify` says whether kafkajs now runs the replacement.
 */
export interface KafkajsPatch {
  /** Its file under core/kafka, as errors name it. */
  readonly name: string;
  /**
   * kafkajs's source files (under `kafkajs/src`) the patch replaces, mirrors or relies on, with
   * their sha256: checked where kafkajs runs from its files (a bundle holds them minified).
   */
  readonly sources: Readonly<Record<string, string>>;
  /** What in kafkajs's current code is not what the patch replaces, or undefined. Before `install`. */
  check(): string | undefined;
  install(): void;
  /** What of the patch kafkajs does not run, or undefined. After `install`. */
  verify(): string | undefined;
}

/**
 * A problem unless `fn` is a function of `length` parameters whose source holds every fragment
 * (property names and text: they survive minification, so this holds in a bundle too).
 */
export function expectFunction(
  what: string,
  fn: unknown,
  length: number,
  fragments: readonly string[],
): string | undefined {
  if (typeof fn !== 'function') return `${what} is ${typeof fn}, not a function`;
  if (fn.length !== length) return `${what} takes ${fn.length} parameters, not ${length}`;
  const source = Function.prototype.toString.call(fn);
  const missing = fragments.filter((f) => !source.includes(f));
  return missing.length > 0 ? `${what} is not the code it replaces (no ${missing.join(', ')})` : undefined;
}

/** The first problem of several checks, or undefined. */
export const firstProblem = (...problems: (string | undefined)[]): string | undefined =>
  problems.find((p) => p !== undefined);

const resolve = (file: string) => require.resolve(`kafkajs/src/${file}`);

/**
 * The replacement of a whole kafkajs module in Node's module registry (`require.cache`): the
 * modules that require it (`users`) take it when they are first loaded (kafkajs loads them at the
 * first request of their kind), so none may be loaded before it is swapped. Needs kafkajs as
 * files in node_modules: a bundle has no module registry for what it holds.
 */
export function moduleSwap(
  file: string,
  users: readonly string[],
  replacement: unknown,
  expected: (original: unknown) => string | undefined,
): Pick<KafkajsPatch, 'check' | 'install' | 'verify'> {
  return {
    check() {
      const loaded = users.filter((user) => require.cache[resolve(user)] !== undefined);
      if (loaded.length > 0) return `${loaded.join(', ')} already loaded, holding kafkajs's own ${file}`;
      return expected(require(resolve(file))); // eslint-disable-line @typescript-eslint/no-require-imports
    },
    install() {
      require(resolve(file)); // eslint-disable-line @typescript-eslint/no-require-imports
      require.cache[resolve(file)]!.exports = replacement;
    },
    verify() {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return require(resolve(file)) === replacement ? undefined : `kafkajs's ${file} is not replaced`;
    },
  };
}
