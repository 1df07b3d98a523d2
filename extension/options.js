const fields = ["workbench", "token"];
chrome.storage.local.get(fields).then((saved) => {
  for (const name of fields) document.getElementById(name).value = saved[name] || "";
});
document.getElementById("save").addEventListener("click", async () => {
  const values = Object.fromEntries(fields.map((name) => [name, document.getElementById(name).value.trim()]));
  await chrome.storage.local.set(values);
  document.getElementById("said").textContent = "saved";
});
