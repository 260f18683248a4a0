// Runs a MicroPython script in MicroPython's WebAssembly port (the npm package pinned in
// package.json) with the files of one or more folders on its path (/lib): node run.mjs SCRIPT DIR...
// Prints the script's output; exits 1, with the Python traceback on stderr, when it raises.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { loadMicroPython } from "@micropython/micropython-webassembly-pyscript";

const [script, ...dirs] = process.argv.slice(2);
const mp = await loadMicroPython({ heapsize: 4 * 1024 * 1024, stdout: (line) => console.log(line) });
mp.FS.mkdirTree("/lib");
for (const dir of dirs) {
  for (const name of readdirSync(dir).sort()) {
    if (name.endsWith(".py") || name.endsWith(".mpy")) {
      mp.FS.writeFile(`/lib/${name}`, readFileSync(join(dir, name)));
    }
  }
}
try {
  mp.runPython(readFileSync(script, "utf8"));
} catch (error) {
  if (error.name !== "PythonError") throw error;
  console.error(error.message);
  process.exit(1);
}
