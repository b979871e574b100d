// Tiny DOM helpers. Text always goes through textContent: nothing from the API is parsed as HTML.

export const $ = (id) => document.getElementById(id);

export function show(id, visible = true) {
  $(id).hidden = !visible;
}

export function setText(id, text) {
  $(id).textContent = text ?? "";
}

// el("li", {class: "message", dataset: {id: "..."}}, "text", childNode, ...)
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

export function formValues(form) {
  return Object.fromEntries(new FormData(form).entries());
}

// An ApiError (or any error) as one line for the page.
export function describeError(error) {
  if (error?.code) {
    const details = error.details && Object.keys(error.details).length ? ` ${JSON.stringify(error.details)}` : "";
    return `${error.code}: ${error.message}${details}`;
  }
  return String(error?.message ?? error);
}

// A small PNG drawn on a canvas, for sign-ups without a chosen photo.
export function generatedAvatar(seed) {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 128;
  const context = canvas.getContext("2d");
  let hue = 0;
  for (const character of seed) hue = (hue * 31 + character.charCodeAt(0)) % 360;
  context.fillStyle = `hsl(${hue} 60% 55%)`;
  context.fillRect(0, 0, 128, 128);
  context.fillStyle = "#fff";
  context.font = "bold 64px sans-serif";
  context.textAlign = "center";
  context.textBaseline = "middle";
  context.fillText((seed[0] || "?").toUpperCase(), 64, 68);
  return new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
}
