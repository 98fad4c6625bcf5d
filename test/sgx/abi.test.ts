/**
 * The ioctl numbers and argument layouts the binding compiled (from <asm/sgx.h> and isgx_abi.h)
 * against the independent tables of backends/arch/ioctl-args.ts.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  IOCTL,
  ISGX_ADD_PAGE,
  ISGX_CREATE,
  ISGX_INIT,
  MAINLINE_ADD_PAGES,
  MAINLINE_CREATE,
  MAINLINE_INIT,
  SGX_MAGIC,
  SGX_PAGE_MEASURE,
  iow,
  iowr,
} from '../../backends/arch/ioctl-args.js';
import { binding, skipReason } from './helpers.js';

test('TS _IOW/_IOWR reproduce the published numbers (reference §3)', () => {
  assert.equal(iow(0, 8), 0x4008a400);
  assert.equal(iowr(1, 48), 0xc030a401);
  assert.equal(iow(2, 8), 0x4008a402);
  assert.equal(iow(1, 26), 0x401aa401);
  assert.equal(iow(2, 24), 0x4018a402);
});

test('mainline ioctl numbers compiled from <asm/sgx.h> equal _IOW/_IOWR of the layouts', (t) => {
  if (!binding) return t.skip(skipReason);
  const c = binding.constants;
  assert.equal(c['SGX_MAGIC'], SGX_MAGIC);
  assert.equal(c['SGX_IOC_ENCLAVE_CREATE'], IOCTL.mainline.create);
  assert.equal(c['SGX_IOC_ENCLAVE_ADD_PAGES'], IOCTL.mainline.addPages);
  assert.equal(c['SGX_IOC_ENCLAVE_INIT'], IOCTL.mainline.init);
  assert.equal(c['SGX_IOC_ENCLAVE_PROVISION'], IOCTL.mainline.provision);
  assert.equal(c['SGX_PAGE_MEASURE'], SGX_PAGE_MEASURE);
});

test('isgx ioctl numbers from the binding equal _IOW of the packed layouts', (t) => {
  if (!binding) return t.skip(skipReason);
  const c = binding.constants;
  assert.equal(c['ISGX_IOC_ENCLAVE_CREATE'], IOCTL.isgx.create);
  assert.equal(c['ISGX_IOC_ENCLAVE_ADD_PAGE'], IOCTL.isgx.addPage);
  assert.equal(c['ISGX_IOC_ENCLAVE_INIT'], IOCTL.isgx.init);
  // CREATE has the same number on both drivers (reference §3.2 note).
  assert.equal(c['ISGX_IOC_ENCLAVE_CREATE'], c['SGX_IOC_ENCLAVE_CREATE']);
});

test('struct sizes and field offsets match the documented layouts', (t) => {
  if (!binding) return t.skip(skipReason);
  const c = binding.constants;
  assert.equal(c['sizeof_sgx_enclave_create'], MAINLINE_CREATE.size);
  assert.equal(c['sizeof_sgx_enclave_add_pages'], MAINLINE_ADD_PAGES.size);
  assert.equal(c['sizeof_sgx_enclave_init'], MAINLINE_INIT.size);
  for (const [field, f] of Object.entries(MAINLINE_ADD_PAGES.fields)) {
    assert.equal(c[`offsetof_add_pages_${field}`], f.offset, `sgx_enclave_add_pages.${field}`);
  }
  assert.equal(c['sizeof_isgx_enclave_create'], ISGX_CREATE.size);
  assert.equal(c['sizeof_isgx_enclave_add_page'], ISGX_ADD_PAGE.size);
  assert.equal(c['sizeof_isgx_enclave_init'], ISGX_INIT.size);
  for (const [field, f] of Object.entries(ISGX_ADD_PAGE.fields)) {
    assert.equal(c[`offsetof_isgx_add_page_${field}`], f.offset, `isgx add_page.${field}`);
  }
  assert.equal(c['offsetof_isgx_init_sigstruct'], ISGX_INIT.fields.sigstruct.offset);
  assert.equal(c['offsetof_isgx_init_einittoken'], ISGX_INIT.fields.einittoken.offset);
  assert.equal(c['PAGE_SIZE'], 4096);
});
