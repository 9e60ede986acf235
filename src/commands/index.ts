import { audit } from "./audit";
import { buildPush } from "./build-push";
import type { Command } from "./command";
import { deploy } from "./deploy";
import { verify } from "./verify";

/** Every command of the CLI, by name. */
export const COMMANDS: ReadonlyMap<string, Command> = new Map<string, Command>([
  [buildPush.name, buildPush as unknown as Command],
  [deploy.name, deploy as unknown as Command],
  [verify.name, verify as unknown as Command],
  [audit.name, audit as unknown as Command],
]);
