/** The SGX (and x86) page size in bytes: enclave pages, EADD, EPC accounting. */
export const PAGE_SIZE = 4096;
