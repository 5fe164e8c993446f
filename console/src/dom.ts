// A few lines instead of a framework: elements built from attributes and children, text always set
// as text (never as HTML), so nothing an activity's subject holds can become markup.
export type Child = Node | string | number | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : value);
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

export function on<E extends keyof HTMLElementEventMap>(
  element: HTMLElement,
  type: E,
  listener: (event: HTMLElementEventMap[E]) => void,
): HTMLElement {
  element.addEventListener(type, listener);
  return element;
}
