import { formatIssues } from "../issues.js";
import { arrayBatches, JsonSpanError, objectMembers } from "../json-spans.js";
import { jsonDepthExceeds, MAX_JSON_DEPTH } from "../limits.js";
import { checkCode } from "./code-check.js";
import { type CouponCode, type CouponList, couponListSchema } from "./schema.js";
import { CouponListError } from "./verify.js";

/** A list without its codes: what stays JSON when the codes are packed into a table. */
export type ListShell = Omit<CouponList, "codes">;

const BATCH = 4096;
const MAX_REPORTED = 20;

/**
 * Reads a signed list document from its bytes with memory bounded by one batch of codes: the
 * list without its codes goes through `couponListSchema` (a handful of campaigns), then the codes
 * are parsed 4096 at a time, checked by `checkCode` and handed, in document order, to the function
 * `forShell` returned when given the validated shell.
 * Duplicate codes are the caller's to detect (the table builder does, after sorting).
 */
export function readListDocumentBytes(
  doc: Buffer,
  forShell: (shell: ListShell) => (code: CouponCode) => void,
): ListShell {
  if (jsonDepthExceeds(doc, MAX_JSON_DEPTH))
    throw new CouponListError(
      "invalid_document",
      `coupon list refused: the signed document is nested deeper than ${MAX_JSON_DEPTH} levels`,
    );
  let members: ReturnType<typeof objectMembers>;
  try {
    members = objectMembers(doc);
  } catch (err) {
    throw notJson(err);
  }
  const codesMembers = members.filter((m) => m.key === "codes");
  if (codesMembers.length > 1) throw invalid(["codes: appears more than once"]);
  const codes = codesMembers[0];
  const shellBytes = codes
    ? Buffer.concat([doc.subarray(0, codes.start), Buffer.from("[]"), doc.subarray(codes.end)])
    : doc;
  let raw: unknown;
  try {
    raw = JSON.parse(shellBytes.toString("utf8"));
  } catch (err) {
    throw notJson(err);
  }
  const parsed = couponListSchema.safeParse(raw);
  if (!parsed.success) throw invalid(formatIssues(parsed.error.issues).slice(0, MAX_REPORTED));
  const { codes: _none, ...shell } = parsed.data;
  const onCode = forShell(shell);
  if (!codes) return shell;
  if (doc[codes.start] !== 0x5b) throw invalid(["codes: expected an array"]);

  const campaigns = new Set(shell.campaigns.map((c) => c.id));
  const problems: string[] = [];
  let index = 0;
  try {
    arrayBatches(doc, codes.start, codes.end, BATCH, (from, to, count) => {
      const batch = JSON.parse(`[${doc.toString("utf8", from, to)}]`) as unknown[];
      if (batch.length !== count) throw new JsonSpanError(`codes[${index}]: the array is not well formed`);
      for (const raw of batch) {
        const checked = checkCode(raw);
        if (typeof checked === "string") problems.push(`codes[${index}].${checked}`);
        else if (!campaigns.has(checked.campaign))
          problems.push(`codes[${index}].campaign: no campaign "${checked.campaign}" in this list`);
        else if (problems.length === 0) onCode(checked);
        if (problems.length >= MAX_REPORTED) throw invalid(problems);
        index++;
      }
    });
  } catch (err) {
    if (err instanceof CouponListError) throw err;
    throw notJson(err);
  }
  if (problems.length) throw invalid(problems);
  return shell;
}

function invalid(details: string[]): CouponListError {
  return new CouponListError("invalid_document", "coupon list refused: the document is not valid", details);
}

function notJson(err: unknown): unknown {
  if (err instanceof JsonSpanError || err instanceof SyntaxError)
    return new CouponListError(
      "invalid_document",
      `coupon list refused: signed document is not JSON (${err.message})`,
    );
  return err;
}
