import { parseDownloadTokenKeys } from '../../contracts/download-token.ts';

/** The download token keys of the tests (R-SEC-1): fixed, so expected tokens can be computed; never a production key. */
export const testTokenKeysText = `test-1:${Buffer.alloc(32, 'otaflow-test-key').toString('base64')}`;
export const testTokenKeys = parseDownloadTokenKeys(testTokenKeysText, 'test keys');
