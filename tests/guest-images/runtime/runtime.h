/* Transmeta guest runtime for freestanding C images (see README.md). */
#ifndef TRANSMETA_GUEST_RUNTIME_H
#define TRANSMETA_GUEST_RUNTIME_H

typedef unsigned int u32;
typedef int i32;
typedef unsigned short u16;
typedef unsigned char u8;
typedef unsigned long long u64;
typedef long long i64;
typedef unsigned int size_t;

void rt_putc(int c);
void rt_puts(const char *s);            /* no newline appended */
void rt_print_hex(u32 v, int digits);   /* lowercase, 1..8 digits */
void rt_print_dec(u32 v);
__attribute__((noreturn)) void rt_exit(int code); /* 0 = success */

void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* main() returns the exit code. */
int main(void);

#endif
