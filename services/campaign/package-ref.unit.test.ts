import { describe, expect, it } from 'vitest';
import { show } from '../../contracts/fields.ts';
import { packageProblem } from './package-ref.ts';

const sha256 = `sha256:${'9f'.repeat(32)}`;
const good = { url: 'https://fw.example/acme/s1/2.0.bin', sizeBytes: 4_194_304, checksum: sha256 };

describe('package of a request', () => {
  it('R-REQ-1: takes an http(s) URL, a whole size above 0 and a sha256 or sha512 checksum in either hex case', () => {
    expect(packageProblem(good)).toBeUndefined();
    expect(packageProblem({ ...good, url: 'http://10.0.0.1:8080/fw?v=2' })).toBeUndefined();
    expect(packageProblem({ ...good, checksum: `sha256:${'9F'.repeat(32)}` })).toBeUndefined();
    expect(packageProblem({ ...good, checksum: `sha512:${'ab'.repeat(64)}` })).toBeUndefined();
  });

  it('R-REQ-5: refuses an empty, relative, non-http or space-carrying URL, naming the field', () => {
    for (const url of ['', 'fw.bin', '/fw.bin', 'ftp://fw.example/fw.bin', 'file:///fw.bin', 'http:fw.example', 'https://', ' https://fw.example/x', 'https://fw.example/a b']) {
      expect(packageProblem({ ...good, url })).toBe(`url ${show(url)} is not an http(s) URL`);
    }
  });

  it('R-REQ-5: refuses a size of 0, below 0 or not whole', () => {
    for (const sizeBytes of [0, -4096, 1.5]) expect(packageProblem({ ...good, sizeBytes })).toBe(`sizeBytes must be a whole number of bytes above 0, got ${sizeBytes}`);
  });

  it('R-REQ-5: refuses an empty checksum, a short one, md5 or sha1, and one without its algorithm', () => {
    const formats = 'sha256:<64 hex digits> or sha512:<128 hex digits>';
    for (const checksum of ['', 'sha256:9f2c', `sha256:${'9f'.repeat(32)}0`, `sha256:${'zz'.repeat(32)}`, `md5:${'ab'.repeat(16)}`, `sha1:${'ab'.repeat(20)}`, '9f'.repeat(32), `SHA256:${'9f'.repeat(32)}`]) {
      expect(packageProblem({ ...good, checksum })).toBe(`checksum ${show(checksum)} is not ${formats}`);
    }
  });
});
