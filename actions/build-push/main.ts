import { runAction } from "../../src/action-main";
import { buildPush } from "../../src/commands/build-push";

void runAction(buildPush);
