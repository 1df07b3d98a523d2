// WildTrace capture: one click (or the context menu on a selection) sends the current page's DOM, a
// screenshot of what is visible and the selected text to the workbench's capture API with the user's
// API token (set on the options page). The workbench preserves it in the evidence store (a WARC file,
// chained in the capture log) and queues it for review.

async function settings() {
  const { workbench, token } = await chrome.storage.local.get(["workbench", "token"]);
  if (!workbench || !token) throw new Error("set the workbench address and your API token in the options");
  return { workbench: workbench.replace(/\/+$/, ""), token };
}

function pageContent() {
  return { html: document.documentElement.outerHTML, title: document.title, selection: String(getSelection()) };
}

async function captureTab(tab) {
  tab = tab || (await chrome.tabs.query({ active: true, lastFocusedWindow: true }))[0];
  const { workbench, token } = await settings();
  const screenshot = await chrome.tabs.captureVisibleTab(tab.windowId, { format: "png" });
  const [{ result }] = await chrome.scripting.executeScript({ target: { tabId: tab.id }, func: pageContent });
  const response = await fetch(`${workbench}/api/captures`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify({ url: tab.url, title: result.title, html: result.html, screenshot,
                           selection: result.selection }),
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(`workbench answered ${response.status}: ${JSON.stringify(answer)}`);
  await chrome.action.setBadgeText({ tabId: tab.id, text: "ok" });
  return answer;
}

async function report(tab) {
  try {
    await captureTab(tab);
  } catch (error) {
    console.error("WildTrace capture failed:", error);
    await chrome.action.setBadgeText({ tabId: tab.id, text: "err" });
  }
}

chrome.action.onClicked.addListener(report);
chrome.runtime.onInstalled.addListener(() => {
  chrome.contextMenus.create({ id: "wildtrace-capture", title: "Capture to WildTrace", contexts: ["page", "selection"] });
});
chrome.contextMenus.onClicked.addListener((_info, tab) => report(tab));
self.captureTab = captureTab;
