/** The ioctl numbers and argument layouts the binding compiled (from <asm/sgx.h> and isgx_abi.h) against an independent computation. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { EXPECTED, LAYOUT, iow, iowr } from '../../backends/sgx/ioc.js';
import { binding, skipReason } from './helpers.js';

test('TS _IOW/_IOWR reproduce the published numbers (reference §3)', () => {
  assert.equal(iow(0xa4, 0, 8), 0x4008a400);
  assert.equal(iowr(0xa4, 1, 48), 0xc030a401);
  assert.equal(iow(0xa4, 2, 8), 0x4008a402);
  assert.equal(iow(0xa4, 1, 26), 0x401aa401);
  assert.equal(iow(0xa4, 2, 24), 0x4018a402);
});

test('mainline ioctl numbers compiled from <asm/sgx.h> equal _IOW/_IOWR of the layouts', (t) => {
  if (!binding) return t.skip(skipReason);
  const c = binding.constants;
  assert.equal(c['SGX_MAGIC'], 0xa4);
  assert.equal(c['SGX_IOC_ENCLAVE_CREATE'], EXPECTED.SGX_IOC_ENCLAVE_CREATE);
  assert.equal(c['SGX_IOC_ENCLAVE_ADD_PAGES'], EXPECTED.SGX_IOC_ENCLAVE_ADD_PAGES);
  assert.equal(c['SGX_IOC_ENCLAVE_INIT'], EXPECTED.SGX_IOC_ENCLAVE_INIT);
  assert.equal(c['SGX_IOC_ENCLAVE_PROVISION'], EXPECTED.SGX_IOC_ENCLAVE_PROVISION);
  assert.equal(c['SGX_PAGE_MEASURE'], 1);
});

test('isgx ioctl numbers from the binding equal _IOW of the packed layouts', (t) => {
  if (!binding) return t.skip(skipReason);
  const c = binding.constants;
  assert.equal(c['ISGX_IOC_ENCLAVE_CREATE'], EXPECTED.ISGX_IOC_ENCLAVE_CREATE);
  assert.equal(c['ISGX_IOC_ENCLAVE_ADD_PAGE'], EXPECTED.ISGX_IOC_ENCLAVE_ADD_PAGE);
  assert.equal(c['ISGX_IOC_ENCLAVE_INIT'], EXPECTED.ISGX_IOC_ENCLAVE_INIT);
  // CREATE has the same number on both drivers (reference §3.2 note).
  assert.equal(c['ISGX_IOC_ENCLAVE_CREATE'], c['SGX_IOC_ENCLAVE_CREATE']);
});

test('struct sizes and field offsets match the documented layouts', (t) => {
  if (!binding) return t.skip(skipReason);
  const c = binding.constants;
  assert.equal(c['sizeof_sgx_enclave_create'], LAYOUT.mainline.create.size);
  assert.equal(c['sizeof_sgx_enclave_add_pages'], LAYOUT.mainline.addPages.size);
  assert.equal(c['sizeof_sgx_enclave_init'], LAYOUT.mainline.init.size);
  for (const [field, off] of Object.entries(LAYOUT.mainline.addPages.fields)) {
    assert.equal(c[`offsetof_add_pages_${field}`], off, `sgx_enclave_add_pages.${field}`);
  }
  assert.equal(c['sizeof_isgx_enclave_create'], LAYOUT.isgx.create.size);
  assert.equal(c['sizeof_isgx_enclave_add_page'], LAYOUT.isgx.addPage.size);
  assert.equal(c['sizeof_isgx_enclave_init'], LAYOUT.isgx.init.size);
  for (const [field, off] of Object.entries(LAYOUT.isgx.addPage.fields)) {
    assert.equal(c[`offsetof_isgx_add_page_${field}`], off, `isgx add_page.${field}`);
  }
  assert.equal(c['offsetof_isgx_init_sigstruct'], LAYOUT.isgx.init.fields.sigstruct);
  assert.equal(c['offsetof_isgx_init_einittoken'], LAYOUT.isgx.init.fields.einittoken);
  assert.equal(c['PAGE_SIZE'], 4096);
});
