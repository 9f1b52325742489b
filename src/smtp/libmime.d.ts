declare module 'libmime' {
  const libmime: { decodeWords(s: string): string };
  export default libmime;
}
