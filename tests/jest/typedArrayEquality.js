// jest compares typed arrays element by element through its generic deep equality: 1.6 s for one 200 KB Uint8Array,
// several times that on a loaded machine, enough to push an async test past its timeout. This tester gives the same
// answer (same class, same length, every element Object.is-equal, as toEqual compares numbers) in a plain loop. Arrays
// of different classes (a Buffer against a Uint8Array) still go through jest's own rules.
function typedArrayEquality(a, b) {
  const typed = (x) => ArrayBuffer.isView(x) && !(x instanceof DataView);
  if (!typed(a) || !typed(b) || a.constructor !== b.constructor) {
    return undefined;
  }
  if (a.length !== b.length) {
    return false;
  }
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) {
      return false;
    }
  }
  return true;
}

expect.addEqualityTesters([typedArrayEquality]);
