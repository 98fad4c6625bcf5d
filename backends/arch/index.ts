/**
 * SGX architectural structures shared by both backends and the commands: SECS, SECINFO, TCS,
 * the drivers' ioctl argument structs, SIGSTRUCT (signing and verification), MRENCLAVE and SGXS
 * streams. See docs/sgx-structures.md.
 */
export { ArchInputError } from './errors.js';
export { defineLayout, encode, decode, type Layout, type FieldTable, type Decoded } from './layout.js';
export {
  SECS_SIZE,
  SECS_LAYOUT,
  ATTR_INIT,
  ATTR_DEBUG,
  ATTR_MODE64BIT,
  ATTR_PROVISIONKEY,
  ATTR_EINITTOKENKEY,
  ATTR_KSS,
  XFRM_LEGACY,
  encodeSecs,
  decodeSecs,
  secsProblem,
  type Secs,
  type SecsInput,
} from './secs.js';
export {
  SECINFO_SIZE,
  SECINFO_LAYOUT,
  PERM_R,
  PERM_W,
  PERM_X,
  PT_TCS,
  PT_REG,
  encodeSecinfo,
  decodeSecinfo,
  secinfoFlags,
  measuredSecinfoFlags,
  secinfoFlagsProblem,
} from './secinfo.js';
export { TCS_SIZE, TCS_LAYOUT, encodeTcs, decodeTcs, tcsProblem, type Tcs, type TcsInput } from './tcs.js';
export * from './ioctl-args.js';
export {
  SIGSTRUCT_SIZE,
  SIGSTRUCT_LAYOUT,
  SIGSTRUCT_HEADER1,
  SIGSTRUCT_HEADER2,
  encodeSigstruct,
  decodeSigstruct,
  signedBytes,
  bcdDate,
  dateText,
  type Sigstruct,
} from './sigstruct.js';
export { generateSigningKey, loadSigningKey, keyProblem, modulusLe, q1q2 } from './rsa.js';
export { signSigstruct, unsignedSigstruct, verifySigstruct, type SigstructFields, type SigstructCheck } from './sign.js';
export { ecreateBlock, eaddBlock, eextendBlock, CHUNK_SIZE, CHUNKS_PER_PAGE, PAGE_SIZE } from './blocks.js';
export { MrEnclave, measureSgxsFile, type StreamMeasurement } from './measure.js';
export { SgxsParser, scanSgxsFile, scanSgxsBuffer, type SgxsListener, type SgxsCounts } from './sgxs.js';
export { readSgxsFile, readSgxsBuffer, encodeSgxs, writeSgxsFile, type SgxsImage, type SgxsPage, type ImportedSgxs } from './sgxs-image.js';
export { exampleImage, exampleStream, writeExampleStream } from './example-stream.js';
