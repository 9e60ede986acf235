import { z } from "zod";
import { badInput } from "../errors";

/** Raw inputs as both sources give them: action inputs and CLI flags are strings; "" means not set. */
export type RawInputs = Record<string, string | undefined>;

/** How an input is named in messages: `input "image"` in a workflow, `--image` in a terminal. */
export type InputNaming = (name: string) => string;
export const actionInputName: InputNaming = (name) => `input "${name}"`;
export const cliFlagName: InputNaming = (name) => `--${name}`;

export function parseInputs<S extends z.ZodObject>(
  schema: S,
  raw: RawInputs,
  naming: InputNaming = actionInputName,
): z.output<S> {
  const cleaned: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value !== undefined && value.trim() !== "") cleaned[key] = value;
  }
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? "");
    const given = cleaned[name];
    const shown = given === undefined ? "" : ` (got ${JSON.stringify(given)})`;
    return `${naming(name)}: ${issue.message}${shown}`;
  });
  throw badInput(
    `Invalid input. ${problems.join("; ")}`,
    "Fix the named input and run again; nothing was changed.",
  );
}

const TRUE = new Set(["true", "True", "TRUE"]);
const FALSE = new Set(["false", "False", "FALSE"]);

/** A boolean as GitHub Actions spells it (YAML 1.2 core schema). */
export function booleanInput(defaultValue: boolean) {
  return z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return defaultValue;
      const v = value.trim();
      if (TRUE.has(v)) return true;
      if (FALSE.has(v)) return false;
      ctx.addIssue({ code: "custom", message: "must be true or false" });
      return z.NEVER;
    });
}

/** A list given one item per line or comma-separated. */
export function listInput(options: { separators: "lines" | "lines-and-commas" }) {
  const splitter = options.separators === "lines" ? /\r?\n/ : /\r?\n|,/;
  return z
    .string()
    .optional()
    .transform((value) =>
      (value ?? "")
        .split(splitter)
        .map((item) => item.trim())
        .filter((item) => item.length > 0 && !item.startsWith("#")),
    );
}

/** A choice among fixed words. */
export function choiceInput<const T extends readonly [string, ...string[]]>(
  choices: T,
  defaultValue: T[number],
) {
  return z
    .string()
    .optional()
    .transform((value, ctx): T[number] => {
      if (value === undefined) return defaultValue;
      const v = value.trim();
      if ((choices as readonly string[]).includes(v)) return v as T[number];
      ctx.addIssue({ code: "custom", message: `must be one of ${choices.join(", ")}` });
      return z.NEVER;
    });
}

const DURATION = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Milliseconds from "90s", "5m", "1m30s", "1h", "500ms" or a plain number of seconds. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  const m = DURATION.exec(t);
  if (!m || t === "") return undefined;
  const [, h, min, s, ms] = m.map((x) => Number(x ?? 0));
  return (((h ?? 0) * 60 + (min ?? 0)) * 60 + (s ?? 0)) * 1000 + (ms ?? 0);
}

/** A duration in milliseconds, within bounds. */
export function durationInput(defaultValue: string, bounds: { minMs: number; maxMs: number }) {
  return z
    .string()
    .optional()
    .transform((value, ctx) => {
      const ms = parseDuration(value ?? defaultValue);
      if (ms === undefined) {
        ctx.addIssue({ code: "custom", message: 'must be a duration such as "90s", "5m" or "1m30s"' });
        return z.NEVER;
      }
      if (ms < bounds.minMs || ms > bounds.maxMs) {
        ctx.addIssue({
          code: "custom",
          message: `must be between ${bounds.minMs / 1000} s and ${bounds.maxMs / 1000} s`,
        });
        return z.NEVER;
      }
      return ms;
    });
}

/** A refinement from a check that returns what is wrong (or undefined), for optional string inputs. */
export function refineWith(check: (value: string) => string | undefined) {
  return (value: string | undefined, ctx: z.RefinementCtx) => {
    const message = value === undefined ? undefined : check(value);
    if (message) ctx.addIssue({ code: "custom", message });
  };
}
