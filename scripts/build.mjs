// Rebuilds every committed bundle: each action's dist/index.js and the CLI's dist/cli/index.js.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const targets = readdirSync(join(root, "actions"))
  .filter((name) => existsSync(join(root, "actions", name, "main.ts")))
  .map((name) => ({ entry: join("actions", name, "main.ts"), out: join("actions", name, "dist") }));
targets.push({ entry: join("src", "cli-main.ts"), out: join("dist", "cli") });

// Each bundle is built beside its dist/ and swapped in only when ncc succeeded: a failed build never
// leaves a committed bundle deleted.
for (const { entry, out } of targets) {
  const staging = join(root, `${out}.building`);
  rmSync(staging, { recursive: true, force: true });
  execFileSync(
    join(root, "node_modules", ".bin", "ncc"),
    [
      "build",
      entry,
      "--out",
      staging,
      "--minify",
      "--no-source-map-register",
      "--license",
      "licenses.txt",
      "--quiet",
    ],
    { cwd: root, stdio: "inherit" },
  );
  rmSync(join(root, out), { recursive: true, force: true });
  renameSync(staging, join(root, out));
  console.log(`built ${out}/index.js`);
}
