// Vite's `?raw` imports: a file's text, used to read ../shared/data in place from tests.
declare module '*?raw' {
  const text: string;
  export default text;
}
