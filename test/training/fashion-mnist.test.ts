// A short run of examples/mlp.ts on a slice of Fashion-MNIST: the loss must fall and test
// accuracy must beat chance (10%) by a wide margin. Runs the example as a user would.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const data = "/usr/share/datasets/fashion-mnist";

test("examples/mlp.ts trains on 512 Fashion-MNIST images: loss falls, accuracy well above chance", { skip: existsSync(`${data}/train-images-idx3-ubyte.gz`) ? false : `no dataset at ${data} (Debian package dataset-fashion-mnist)`, timeout: 120_000 }, () => {
  // The example imports "tensorlens" (engine/dist): build it first so it matches the sources.
  const build = spawnSync(process.execPath, [`${root}/node_modules/typescript/bin/tsc`, "-p", `${root}/engine`], { encoding: "utf8" });
  assert.equal(build.status, 0, build.stdout + build.stderr);
  const r = spawnSync(process.execPath, ["--import", "tsx", `${root}/examples/mlp.ts`, data, "--train", "512", "--test", "500", "--batch", "64", "--epochs", "3", "--lr", "0.002"], { encoding: "utf8", cwd: root, timeout: 110_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const first = Number(/first loss ([\d.]+)/.exec(r.stdout)?.[1]), last = Number(/last loss ([\d.]+)/.exec(r.stdout)?.[1]);
  const acc = Number(/test accuracy: ([\d.]+)%/.exec(r.stdout)?.[1]);
  assert.ok(first > 2 && last < first * 0.6, `loss ${first} -> ${last}\n${r.stdout}`);
  assert.ok(acc > 55, `test accuracy ${acc}%\n${r.stdout}`);
  assert.match(r.stdout, /\d+ examples\/s/);
});
