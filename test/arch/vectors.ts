/**
 * Known-answer vectors published by fortanix/rust-sgx (commit
 * be93e7abe92eff4b5610e15fe21b16196ace1e6e, MPL-2.0). The files are not part of this project:
 * the tests look for them in the folder named by EADDBENCH_VECTORS, else in
 * `../shared/vectors/rust-sgx` beside the package root, and skip when they are absent. The
 * published figures the tests compare against are kept here, with their sources.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where each file comes from in fortanix/rust-sgx (docs/sgx-structures.md lists them too). */
export const VECTOR_SOURCES = {
  'test_enclave.sgxs': 'intel-sgx/sgxs-tools/src/sgx_detect/tests/test_enclave.sgxs',
  'test_enclave.sig': 'intel-sgx/sgxs-tools/src/sgx_detect/tests/test_enclave.sig',
  'report.sgxs': 'intel-sgx/report-test/enclave/report.sgxs',
  'sig1.key.pem': 'intel-sgx/sgxs-tools/tests/data/sig1.key.pem',
  'sig1.sigstruct.bin': 'intel-sgx/sgxs-tools/tests/data/sig1.sigstruct.bin',
  'sig1.data.bin': 'intel-sgx/sgxs/tests/data/sig1.data.bin',
  'sig1.sig.bin': 'intel-sgx/sgxs/tests/data/sig1.sig.bin',
  'sig1.key_n.bin': 'intel-sgx/sgxs/tests/data/sig1.key_n.bin',
  'sig1.q1.bin': 'intel-sgx/sgxs/tests/data/sig1.q1.bin',
  'sig1.q2.bin': 'intel-sgx/sgxs/tests/data/sig1.q2.bin',
} as const;

export type VectorName = keyof typeof VECTOR_SOURCES;

/**
 * Published figures. test_enclave: ENCLAVEHASH of rust-sgx's `test_enclave.sig` (bytes
 * 960..992), which is the MRENCLAVE of `test_enclave.sgxs`; its ECREATE, record counts and
 * EADD sequence as read from the stream. report: rust-sgx's `sgxs_roundtrip` test asserts
 * 1 ECREATE (size 0x4000), 3 EADD, 48 EEXTEND; doc/SGXS.md says SHA-256 of a stream without
 * UNMEASRD is its MRENCLAVE. sig1: rust-sgx `sgxs-tools` `test_sig` signs this ENCLAVEHASH with
 * date 20160109 and `-x 3/0xe4`.
 */
export const PUBLISHED = {
  testEnclave: {
    mrenclave: '784acfd7d5096a8f0fbd3265760bff21b120f62407a9a9e5ba31aa3c8ed198fc',
    size: 0x40000,
    ssaFrameSize: 1,
    eadd: 9,
    eextend: 144,
    unmeasured: 0,
    sigDate: 0x20161214,
    /** [page number, type, permissions, measured mask], in stream order. */
    pages: [
      [0, 'reg', 1, 0xffff],
      [1, 'reg', 5, 0xffff],
      [2, 'reg', 3, 0xffff],
      [4, 'reg', 1, 0xffff],
      [21, 'tcs', 0, 0xffff],
      [22, 'reg', 3, 0xffff],
      [39, 'reg', 3, 0xffff],
      [40, 'reg', 3, 0xffff],
      [57, 'reg', 3, 0xffff],
    ] as [number, string, number, number][],
  },
  report: {
    mrenclave: 'a06a560b26f5e397b2d7872fac66fe4b43bf4f507296ee048f110be6fb1a2290',
    size: 0x4000,
    ssaFrameSize: 1,
    ecreate: 1,
    eadd: 3,
    eextend: 48,
  },
  sig1: {
    enclaveHash: 'c50673624a6cb17c1c6c2a4e6906f47a170c4629b8723781d1017ef376f1a75d',
    date: 0x20160109,
    xfrmClear: 0xe4n,
  },
} as const;

/** Tests run from dist/test/arch/; the package root is three levels up. */
const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The vectors folder: $EADDBENCH_VECTORS, else ../shared/vectors/rust-sgx beside the package root. */
export function vectorsDir(): string {
  const env = process.env['EADDBENCH_VECTORS'];
  return env !== undefined && env !== '' ? path.resolve(env) : path.resolve(PACKAGE_ROOT, '..', 'shared', 'vectors', 'rust-sgx');
}

/** Path of one vector file (whether or not it exists). */
export function vector(name: VectorName): string {
  return path.join(vectorsDir(), name);
}

/**
 * node:test `skip` option for a test that needs `names`: false when all are present, else the
 * reason, naming the missing files and where to put them. With EADDBENCH_REQUIRE_VECTORS=1
 * (set by .ci/run when the vectors are beside the checkout) a missing file throws instead, so
 * the test fails rather than skips.
 */
export function needVectors(...names: VectorName[]): { skip: string | false } {
  const dir = vectorsDir();
  const missing = names.filter((n) => !fs.existsSync(path.join(dir, n)));
  if (missing.length === 0) return { skip: false };
  const reason =
    `known-answer vectors not found: ${missing.join(', ')} missing from ${dir}. ` +
    'Put the files from fortanix/rust-sgx at be93e7ab (paths in docs/sgx-structures.md) in ' +
    '../shared/vectors/rust-sgx beside this checkout, or set EADDBENCH_VECTORS to their folder';
  if (process.env['EADDBENCH_REQUIRE_VECTORS'] === '1') throw new Error(`EADDBENCH_REQUIRE_VECTORS=1 but ${reason}`);
  return { skip: reason };
}
