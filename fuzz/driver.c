/*
 * fuzz/driver.c — a plain mutation driver for fuzz_reader.c, for machines
 * without clang's libFuzzer.
 *
 * It reads the seed files named on the command line, then for -max_total_time
 * seconds feeds LLVMFuzzerTestOneInput random mutations of them (bit flips,
 * byte sets, truncation, duplicated chunks).  Less clever than libFuzzer
 * (no coverage guidance) but it exercises the same code under ASan.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXSEEDS 32
#define MAXLEN   (1 << 16)
static uint8_t *seeds[MAXSEEDS];
static size_t seedlen[MAXSEEDS];
static int nseeds;

static void add_seed(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f || nseeds == MAXSEEDS) {
        if (f) fclose(f);
        return;
    }
    seeds[nseeds] = malloc(MAXLEN);
    seedlen[nseeds] = fread(seeds[nseeds], 1, MAXLEN, f);
    fclose(f);
    nseeds++;
}

int main(int argc, char **argv)
{
    double limit = 10;
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "-max_total_time=", 16) == 0) {
            limit = atof(argv[i] + 16);
            continue;
        }
        DIR *d = opendir(argv[i]);
        if (!d) {
            add_seed(argv[i]);
            continue;
        }
        struct dirent *e;
        while ((e = readdir(d))) {
            char p[4096];
            if (!strstr(e->d_name, ".bin"))
                continue;
            snprintf(p, sizeof p, "%s/%s", argv[i], e->d_name);
            add_seed(p);
        }
        closedir(d);
    }
    if (!nseeds) {
        fprintf(stderr, "driver: no seed files\n");
        return 2;
    }
    struct timeval t0, t;
    gettimeofday(&t0, NULL);
    srand(12345);
    static uint8_t buf[2 * MAXLEN];
    unsigned long runs = 0;
    do {
        int s = rand() % nseeds;
        size_t len = seedlen[s];
        memcpy(buf, seeds[s], len);
        int edits = 1 + rand() % 8;
        for (int k = 0; k < edits && len; k++) {
            size_t at = (size_t)rand() % len;
            switch (rand() % 4) {
            case 0: buf[at] ^= (uint8_t)(1u << (rand() % 8)); break;
            case 1: buf[at] = (uint8_t)rand(); break;
            case 2: len = at; break;
            default:
                if (len + 48 < sizeof buf) {
                    memmove(buf + at + 48, buf + at, len - at);
                    len += 48;
                }
            }
        }
        LLVMFuzzerTestOneInput(buf, len);
        runs++;
        gettimeofday(&t, NULL);
    } while ((double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_usec - t0.tv_usec) / 1e6 < limit);
    printf("driver: %lu runs, no crash\n", runs);
    return 0;
}
