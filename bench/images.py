"""Image preparation speed: claudette's `fit_image` on a photo-sized PNG, against pillow doing one resize and one
encode of the same image (to the same size and format) in the same run. Target: <= 2x. `python bench/images.py`"""
import io, statistics, sys, time
from PIL import Image, ImageFilter
from claudette.messages import fit_image

def photo(w:int=8000, h:int=6000)->bytes:
    "A photo-like PNG: smooth gradients with fine grain, too big (in bytes) for the API's 5 MB per image"
    small = Image.effect_noise((w//64, h//64), 60).convert('RGB').resize((w, h), Image.Resampling.BICUBIC)
    grain = Image.effect_noise((w, h), 12).convert('RGB')
    im = Image.blend(small, grain, 0.25).filter(ImageFilter.SMOOTH)
    buf = io.BytesIO(); im.save(buf, 'PNG', compress_level=1)
    return buf.getvalue()

def pillow_once(data:bytes, size:tuple, fmt:str)->bytes:
    "What any program must do at least: decode, resize once, encode once"
    im = Image.open(io.BytesIO(data)); im.load()
    im = im.resize(size, Image.Resampling.LANCZOS) if im.size != size else im
    buf = io.BytesIO(); im.save(buf, fmt, **({'quality': 85} if fmt == 'JPEG' else {}))
    return buf.getvalue()

def main(runs:int=3):
    data = photo()
    print(f"input: 8000x6000 PNG, {len(data)/1e6:.1f} MB")
    ours, base = [], []
    for _ in range(runs):
        t0 = time.perf_counter(); out, mt = fit_image(data); ours.append(time.perf_counter() - t0)
        im = Image.open(io.BytesIO(out)); size, fmt = im.size, im.format
        t0 = time.perf_counter(); pillow_once(data, size, fmt); base.append(time.perf_counter() - t0)
    o, b = statistics.median(ours), statistics.median(base)
    print(f"output: {size[0]}x{size[1]} {fmt}, {len(out)/1e6:.2f} MB")
    print(f"fit_image {o:.2f} s; pillow one resize+encode {b:.2f} s; ratio {o/b:.2f}x (target <= 2x)")
    return o / b

if __name__ == '__main__': sys.exit(0 if main() <= 2 else 1)
