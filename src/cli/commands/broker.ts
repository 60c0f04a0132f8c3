import { parseArgs } from "node:util";
import { mosquittoAcl, TopicError } from "../../protocol/mqtt/index.js";
import { CliError, EXIT, type Io } from "../cli-error.js";

/** quan broker acl --merchant ID [--base quan/v1]: the Mosquitto ACL for a fleet (docs/broker.md). */
export function brokerCommand(args: string[], io: Io): number {
  const [sub, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: { merchant: { type: "string" }, base: { type: "string" } },
  });
  if (sub !== "acl" || !values.merchant)
    throw new CliError("usage: quan broker acl --merchant ID [--base quan/v1]");
  try {
    io.out(
      mosquittoAcl(values.base ?? "quan/v1", { id: values.merchant, user: `merchant-${values.merchant}` }),
    );
  } catch (err) {
    if (err instanceof TopicError) throw new CliError(err.message);
    throw err;
  }
  return EXIT.ok;
}
