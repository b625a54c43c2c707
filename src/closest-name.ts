/** Edit distance (Levenshtein). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/** The known name closest to a misspelt one (a setting, an EASProvisionDoc element), for "did you mean …?". */
export function closestName(name: string, known: Iterable<string>): string {
  return [...known].sort((x, y) => distance(name, x) - distance(name, y))[0] ?? '';
}
