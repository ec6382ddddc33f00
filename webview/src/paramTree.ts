/**
 * The param-tree explorer panel (browser entry, bundled to webview/dist/paramTree.js).
 * Messages: posts `ready` once loaded; for each valid `showResult` renders the tree and posts
 * `rendered { ms, rows, leaves }` once it is painted (ms from the message's arrival); `clear`
 * empties it. Row clicks post `reveal` + `openArray`, copy buttons post `copyPath`.
 */
import "./shared/setup.js"; // first: configures zod for the CSP
import { afterPaint, getState, onHostMessage, post, setState } from "./shared/host.js";
import { Explorer, type ExplorerState } from "./paramTree/view.js";
import { buildModel, syntheticTree, visibleRows } from "./paramTree/model.js";
import { HostMessage } from "../../engine/src/runner/protocol.js";

const root = document.getElementById("root") ?? document.body;
const explorer = new Explorer(
  { post, saveState: (s) => setState<ExplorerState>(s) },
  getState<ExplorerState>(),
);
root.append(explorer.el);

onHostMessage((msg, receivedAt) => {
  switch (msg.type) {
    case "showResult": {
      performance.mark("tl:show");
      const { rows, leaves } = explorer.show(msg);
      performance.measure("tl:build+render", "tl:show");
      void afterPaint().then(() => {
        performance.measure("tl:showResult", "tl:received");
        post({ type: "rendered", ms: Math.round((performance.now() - receivedAt) * 10) / 10, rows, leaves });
      });
      break;
    }
    case "clear":
      explorer.clear(msg.reason);
      break;
  }
});

// Warm the validator and the model builder on a synthetic result (a few ms now, not on the first run).
{
  const tree = syntheticTree(300);
  HostMessage.safeParse({ type: "showResult", label: "", backend: "", tree, previous: tree });
  visibleRows(buildModel(tree, tree), { filter: "", changedOnly: false, isExpanded: () => true });
}

post({ type: "ready" });
