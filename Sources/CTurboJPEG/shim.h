// libjpeg-turbo's TurboJPEG API: errors come back as return codes (tjGetErrorStr2), no longjmp.
#include <turbojpeg.h>
