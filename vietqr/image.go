package vietqr

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	_ "image/gif" // register decoders for image.Decode
	_ "image/jpeg"
	_ "image/png"
	"io"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// Limits applied by DecodeImage before any pixel is decoded.
const (
	MaxImageBytes = 20 << 20 // 20 MiB of encoded image data
	MaxImageSide  = 4096     // pixels, for both width and height
)

// fallbackSide is the longest side of the grayscale copy tried when the
// full-size image yields no code: phone photos of a screen are large and
// noisy, and the detector does better on a smaller, smoother image.
const fallbackSide = 1200

// DecodeImage reads a PNG, JPEG or GIF image (the first frame of a GIF) and
// returns the text of the QR code in it; it does not check that the text is
// a VietQR payload (use Parse for that). The upload is refused with
// ErrImageTooLarge when it is over MaxImageBytes or when its header declares
// a side over MaxImageSide, before the pixels are decoded. Undecodable data
// gives ErrBadImage, an image without a readable code ErrNoCode.
func DecodeImage(r io.Reader) (string, error) {
	text, _, err := decodeImage(r)
	return text, err
}

// decodeImage is DecodeImage that also tells which attempt found the code
// (1: full size, 2: grayscale downscaled to fallbackSide, 3: full size read as a
// code alone on its quiet zone), for tests.
func decodeImage(r io.Reader) (string, int, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxImageBytes+1))
	if err != nil {
		return "", 0, fmt.Errorf("%w: reading: %v", ErrBadImage, err)
	}
	if len(data) > MaxImageBytes {
		return "", 0, fmt.Errorf("%w: more than %d bytes", ErrImageTooLarge, MaxImageBytes)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return "", 0, fmt.Errorf("%w: %v", ErrBadImage, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return "", 0, fmt.Errorf("%w: %s of %dx%d pixels", ErrBadImage, format, cfg.Width, cfg.Height)
	}
	if cfg.Width > MaxImageSide || cfg.Height > MaxImageSide {
		return "", 0, fmt.Errorf("%w: %s of %dx%d pixels, the limit is %dx%d",
			ErrImageTooLarge, format, cfg.Width, cfg.Height, MaxImageSide, MaxImageSide)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return "", 0, fmt.Errorf("%w: %v", ErrBadImage, err)
	}
	b := img.Bounds()
	if b.Dx() > MaxImageSide || b.Dy() > MaxImageSide {
		// The header and the decoded image disagree; do not go on.
		return "", 0, fmt.Errorf("%w: decoded %dx%d pixels", ErrImageTooLarge, b.Dx(), b.Dy())
	}

	lum, w, h := luminance(img)
	if text, err := readQR(lum, w, h, false); err == nil {
		return text, 1, nil
	}
	if max(w, h) > fallbackSide {
		small, sw, sh := downscale(lum, w, h, fallbackSide)
		if text, err := readQR(small, sw, sh, false); err == nil {
			return text, 2, nil
		}
	}
	// A clean image of the code alone (a screenshot, a printed card): about one in a
	// hundred and fifty of them the detector misses, searching for finder patterns that
	// this reading does not need.
	if text, err := readQR(lum, w, h, true); err == nil {
		return text, 3, nil
	}
	return "", 0, ErrNoCode
}

// luminance converts img to one byte per pixel, composited over white (a
// transparent background reads as white), with the weights gozxing uses.
func luminance(img image.Image) ([]byte, int, int) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	out := make([]byte, w*h)
	switch m := img.(type) {
	case *image.Gray:
		for y := 0; y < h; y++ {
			copy(out[y*w:(y+1)*w], m.Pix[y*m.Stride:y*m.Stride+w])
		}
	case *image.YCbCr: // JPEG: the Y plane is the luminance
		for y := 0; y < h; y++ {
			off := m.YOffset(b.Min.X, b.Min.Y+y)
			copy(out[y*w:(y+1)*w], m.Y[off:off+w])
		}
	default:
		i := 0
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				out[i] = lumOf(img.At(x, y))
				i++
			}
		}
	}
	return out, w, h
}

func lumOf(c color.Color) byte {
	r, g, bl, a := c.RGBA() // alpha-premultiplied, 16 bits
	// Premultiplied over white: channel + (1-a)*white.
	l := (r + 2*g + bl) / 4
	return byte((l + (0xffff - a)) >> 8)
}

// downscale shrinks a w×h luminance buffer so its longest side is at most
// side, averaging the source pixels that fall into each target pixel.
func downscale(src []byte, w, h, side int) ([]byte, int, int) {
	long := max(w, h)
	dw := max(1, w*side/long)
	dh := max(1, h*side/long)
	dst := make([]byte, dw*dh)
	for dy := 0; dy < dh; dy++ {
		y0, y1 := dy*h/dh, (dy+1)*h/dh
		for dx := 0; dx < dw; dx++ {
			x0, x1 := dx*w/dw, (dx+1)*w/dw
			sum, n := 0, 0
			for y := y0; y < y1; y++ {
				row := src[y*w : (y+1)*w]
				for x := x0; x < x1; x++ {
					sum += int(row[x])
					n++
				}
			}
			dst[dy*dw+dx] = byte(sum / n)
		}
	}
	return dst, dw, dh
}

// readQR runs gozxing's QR reader (hybrid binarizer, TRY_HARDER, or with pure the
// image as the code alone) on a luminance buffer. A panic inside the library counts
// as "no code".
func readQR(lum []byte, w, h int, pure bool) (text string, err error) {
	defer func() {
		if r := recover(); r != nil {
			text, err = "", fmt.Errorf("%w: decoder panic: %v", ErrNoCode, r)
		}
	}()
	src, err := gozxing.NewPlanarYUVLuminanceSource(lum, w, h, 0, 0, w, h, false)
	if err != nil {
		return "", err
	}
	bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(src))
	if err != nil {
		return "", err
	}
	hints := map[gozxing.DecodeHintType]interface{}{
		gozxing.DecodeHintType_TRY_HARDER:    true,
		gozxing.DecodeHintType_CHARACTER_SET: "UTF-8",
	}
	if pure {
		hints = map[gozxing.DecodeHintType]interface{}{
			gozxing.DecodeHintType_PURE_BARCODE:  true,
			gozxing.DecodeHintType_CHARACTER_SET: "UTF-8",
		}
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, hints)
	if err != nil {
		return "", err
	}
	return res.GetText(), nil
}
