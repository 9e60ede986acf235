import { runAction } from "../../src/action-main";
import { deploy } from "../../src/commands/deploy";

void runAction(deploy);
