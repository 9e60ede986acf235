// Rebuilds every committed bundle: each action's dist/index.js and the CLI's dist/cli/index.js.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const targets = readdirSync(join(root, "actions"))
  .filter((name) => existsSync(join(root, "actions", name, "main.ts")))
  .map((name) => ({ entry: join("actions", name, "main.ts"), out: join("actions", name, "dist") }));
targets.push({ entry: join("src", "cli-main.ts"), out: join("dist", "cli") });

for (const { entry, out } of targets) {
  rmSync(join(root, out), { recursive: true, force: true });
  execFileSync(
    join(root, "node_modules", ".bin", "ncc"),
    [
      "build",
      entry,
      "--out",
      out,
      "--minify",
      "--no-source-map-register",
      "--license",
      "licenses.txt",
      "--quiet",
    ],
    { cwd: root, stdio: "inherit" },
  );
  console.log(`built ${out}/index.js`);
}
