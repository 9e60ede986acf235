import { runAction } from "../../src/action-main";
import { verify } from "../../src/commands/verify";

void runAction(verify);
